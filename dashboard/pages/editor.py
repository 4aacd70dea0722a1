"""Scenario editor: the Run page's scenario as tables (products and their bills of materials,
components, customers, departments, the chain's stages and buffers or the network's sites, work
centres, items, stock points and lanes). Every edit is checked by the library's validation, each
problem shown under the table it belongs to, by its path; a valid scenario is saved as YAML or
used on the Run page."""

from __future__ import annotations

import scenario_tables as tables
import streamlit as st
import ui
import yaml

scenario, seed, label = ui.current()
st.title("Scenario editor")
st.markdown("The Run page's scenario as tables: edit a cell (numbers, words, lists and "
            "distributions such as `{dist: gamma, mean: 0.2, cv: 0.5}` are written in YAML), add "
            "or delete rows. Every change is checked as `omcsim validate` checks a file; the "
            "problems are listed under the table they belong to.")
st.markdown(ui.describe(scenario))

data = yaml.safe_load(scenario.to_yaml())
sections = tables.sections(data)
version = ui.digest(scenario.to_yaml())  # a new base scenario starts new tables
edited_tables, messages = {}, {}
tabs = st.tabs([tables.TITLES.get(s, s.capitalize()) for s in sections])
for section, tab in zip(sections, tabs, strict=True):
    with tab:
        edited_tables[section] = st.data_editor(
            tables.section_table(tables.get(data, section) or {}), num_rows="dynamic",
            hide_index=True, key=f"editor.{section}.{version}", width="stretch",
            column_config={tables.NAME: st.column_config.TextColumn(tables.NAME, pinned=True)})
        messages[section] = st.container()
name = st.text_input("Save as (the scenario's name)", value=f"{scenario.name}-edited",
                     key=f"editor.name.{version}")
result, problems = tables.edited_scenario(data, edited_tables, name)

if problems:
    for section in sections:  # each problem under its table, by the path it names
        mine = tables.problems_of(section, problems)
        if mine:
            messages[section].error("\n".join(f"- {p}" for p in mine))
    st.error(f"**The edited scenario is not valid** ({len(problems)} problem(s); each is shown "
             "under its table too):\n\n" + "\n".join(f"- `{p}`" for p in problems))
else:
    text = result.to_yaml()
    changed = text != scenario.with_overrides(name=result.name).to_yaml()
    st.success("The edited scenario is valid." + ("" if changed else " (No change yet.)"))
    with st.container(horizontal=True, wrap=True):
        st.download_button("Save as YAML", text, f"{result.name}.yaml", "application/x-yaml",
                           key="editor.download", type="primary")
        if st.button("Use it on the Run page", key="editor.use"):
            source = f"edited: {result.name} ({ui.digest(text)[:8]})"
            st.session_state.setdefault("run.uploads", {})[source] = {
                "yaml": text, "file": f"{result.name}.yaml"}
            st.session_state["run.source"] = source
            st.switch_page("pages/run.py")
    st.caption(f"From the command line: `omcsim run {result.name}.yaml --seed {seed}`.")
