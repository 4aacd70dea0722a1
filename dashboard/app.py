"""The omcsim dashboard: ``omcsim dashboard`` (or ``streamlit run dashboard/app.py`` from the
repository root, where Streamlit reads the project's settings: .streamlit/config.toml).

The first page (Run) shows the default scenario's results on first load, without any click; the
other pages work on the scenario the Run page last showed.
"""

import sys
from pathlib import Path

import streamlit as st

# `streamlit run` puts this folder on sys.path; Streamlit's AppTest does not, and the pages
# import the shared ui module from here.
HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

# An emoji favicon is drawn in the page; a ":material/..." one would be fetched from fonts.gstatic.com.
st.set_page_config(page_title="omcsim: order management cycle", page_icon="📦", layout="wide")

PAGES = [
    st.Page(HERE / "pages" / "run.py", title="Run", icon=":material/play_circle:", default=True),
    st.Page(HERE / "pages" / "compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page(HERE / "pages" / "sweep.py", title="Sweep", icon=":material/grid_on:"),
    st.Page(HERE / "pages" / "optimize.py", title="Optimise", icon=":material/tune:"),
    st.Page(HERE / "pages" / "staple.py", title="Staple yourself", icon=":material/attach_file:"),
    st.Page(HERE / "pages" / "editor.py", title="Scenario editor", icon=":material/edit_note:"),
    st.Page(HERE / "pages" / "network.py", title="Network", icon=":material/hub:"),
    st.Page(HERE / "pages" / "learn.py", title="Learn", icon=":material/school:"),
]

st.navigation(PAGES).run()
