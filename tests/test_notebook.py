"""The notebook runs top to bottom and shows what it promises."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient


def test_notebook_executes(seeds_dir):
    path = seeds_dir.parent / "notebooks" / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    text = "\n".join(
        out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
        for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )
    assert "assertions: 23" in text
    assert "Poland | supports" in text
    assert "possible - countries like Poland" in text and "probable - it is very likely" in text
    assert "coalition" in text
    html_out = next(o["data"]["text/html"] for o in nb.cells[-1].outputs if "text/html" in o.get("data", {}))
    assert html_out.startswith("<iframe srcdoc=")
    # The page travels escaped inside srcdoc, and carries no outside script or stylesheet.
    assert "&lt;script" in html_out and "<script" not in html_out
    assert "src=&quot;http" not in html_out and "href=&quot;http" not in html_out
