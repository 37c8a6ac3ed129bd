"""kawasan studio: how long an edit takes, from the browser's request to the new figures.

    python benchmarks/bench_studio.py [RESULT_DIR] [--edits N]

Without RESULT_DIR it first runs the bundled Lampung Timur configuration (264 villages, 40
kawasan, RTRW with 18,000 ha of overlaps) into a temporary folder, without maps. It then starts
the studio on a free port of 127.0.0.1 and, through HTTP as the page does, moves N boundary
villages one at a time into a neighbouring kawasan (each move re-checks two kawasan: ITBX sums,
verdicts, conflicts, rules, outlines and conflict geometry as GeoJSON), then undoes them all.
It prints the start-up time (reading the result and cutting villages by zones, once) and the
median, 90th percentile and maximum of the edit and undo round trips, and the CPU time of
the same edits in-process (re-check and payload; the figure the machine's other load does not
change).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _result(folder: Path) -> Path:
    from kawasan_gis.config import load_config
    from kawasan_gis.pipeline import run, write_outputs

    out = folder / "hasil"
    write_outputs(run(load_config(ROOT / "data" / "lampung_timur.toml")), out, maps=False)
    return out


def _post(port: int, path: str, body: dict, token: str) -> tuple[float, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    t0 = time.perf_counter()
    conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json", "X-Studio-Token": token})
    data = json.loads(conn.getresponse().read())
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed, data


def _stats(values: list[float]) -> str:
    v = sorted(values)
    p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
    return f"median {1000 * statistics.median(v):.0f} ms, p90 {1000 * p90:.0f} ms, max {1000 * v[-1]:.0f} ms (n={len(v)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", nargs="?", type=Path)
    parser.add_argument("--edits", type=int, default=20)
    args, _ = parser.parse_known_args(argv)
    warnings.simplefilter("ignore")
    from kawasan_gis.studio import StudioServer, open_studio

    with tempfile.TemporaryDirectory() as tmp:
        result = args.result or _result(Path(tmp))
        t0 = time.perf_counter()
        session = open_studio(result)
        startup = time.perf_counter() - t0
        server = StudioServer(session, port=0)
        server.start()
        try:
            state, graph = session.state, session.live.graph
            codes = graph.kode_desa
            moves = []
            for i, j in zip(graph.i, graph.j, strict=True):
                a, b = state.member.get(str(codes[i])), state.member.get(str(codes[j]))
                if a and b and a != b and len(state.villages_of(a)) > 2 and all(m[0] != str(codes[i]) for m in moves):
                    moves.append((str(codes[i]), b))
                if len(moves) >= args.edits:
                    break
            token = server.app.state.token
            edit, undo, server_ms = [], [], []
            for village, to in moves:
                elapsed, data = _post(server.port, "/api/edit", {"op": "move", "villages": [village], "to": to}, token)
                edit.append(elapsed)
                server_ms.append(data["ms"] / 1000)
            for _ in moves:
                elapsed, _data = _post(server.port, "/api/undo", {}, token)
                undo.append(elapsed)
        finally:
            server.stop()
        # the same edits in-process, in CPU seconds: what the machine's other load does not change
        from kawasan_gis.studio import views

        session._cache.clear()
        cpu = []
        for village, to in moves:
            c0 = time.process_time()
            views.state_payload(session, session.apply("move", {"villages": [village], "to": to}))
            cpu.append(time.process_time() - c0)
            session.undo()
        n = len(session.run.desa)
        print(f"studio on {result} ({n} villages, {len(session.proposal.kawasan)} kawasan, {len(session.live.faces)} faces, "
              f"{len(session.live.pieces)} pieces)")
        print(f"  start-up (read result, faces x zones, first check): {startup:.1f} s")
        print(f"  edit round trip (move one village):   {_stats(edit)}")
        print(f"  of which the re-check on the server:  {_stats(server_ms)}")
        print(f"  undo round trip (figures remembered): {_stats(undo)}")
        print(f"  edit + payload in CPU time (no HTTP): {_stats(cpu)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
