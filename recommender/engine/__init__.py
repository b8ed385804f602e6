"""Engine: feature encoding and weights, the model artifact, the weighted neighbour query."""
