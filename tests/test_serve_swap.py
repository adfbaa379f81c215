"""kg serve during builds: it keeps answering, and answers from the new store within a second of the swap."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

from test_serve import get, start  # noqa: F401  (the fixture)

from kg.graph.build import build

ASK_EXTRA = "ASK { ?d dct:identifier 'extra' }"


def test_serve_follows_the_store_a_build_swaps_in(seeds_dir, tmp_path, start):  # noqa: F811
    work = tmp_path / "work"
    shutil.copytree(seeds_dir, work)
    store = tmp_path / "s.kg"
    build([work], store)
    server = start(str(store))
    assert get(server, ASK_EXTRA, "application/sparql-results+json").json()["boolean"] is False
    for i in range(3):  # add, then drop (--sync), then add again
        extra = work / "articles" / "extra.txt"
        if i % 2 == 0:
            extra.write_text(f"Hungary opposes sanctions on Russia ({i}).\n", encoding="utf-8")
        else:
            extra.unlink()
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(work), "--store", str(store), "-q",
                                 "--no-extract", *(["--sync"] if i % 2 else [])])
        while proc.poll() is None:  # answers all along, from the old or the new store
            reply = get(server, ASK_EXTRA, "application/sparql-results+json")
            assert reply.status == 200, reply.text
        assert proc.wait() == 0
        swapped = time.monotonic()
        want = i % 2 == 0
        while get(server, ASK_EXTRA, "application/sparql-results+json").json()["boolean"] is not want:
            assert time.monotonic() - swapped < 1.0, "still answering from the old store a second after the swap"
            time.sleep(0.05)
