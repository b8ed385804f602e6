"""Presentation helpers without Streamlit: plotly figures, table and CSV rows."""
