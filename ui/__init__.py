"""Streamlit helpers shared by the pages: the frame (navigation, filters, language) and cached data access."""
