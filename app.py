"""The app's entry point (`streamlit run app.py`): the frame in `ui/frame.py` declares the pages, signs the user in,
decides which pages that user sees, reads the filters and runs the chosen page; `/?view=projector` is the
meeting-room slideshow."""

from ui.frame import run_app

run_app()
