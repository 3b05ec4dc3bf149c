"""The fixed cost of one `shopkpi import` call: a two-row CSV into a home, run in a fresh process
(SHOPKPI_HANDOFF=0) and handed to the home's ready process (`shopkpi ready`), taking turns.

Each call imports a file of its own (the same two rows with another amount), so each writes a batch
that replaces the one before, as a user's corrected file would. Processor time, not wall time (the
machine is shared): a fresh process's is what it and its children used (RUSAGE_CHILDREN); a handed
call's is the client's (the same) plus the runner's, which the ready process reports (wait4: the
runner and its children) and the client prints with SHOPKPI_HANDOFF=debug. Medians and minima, and
the load average before and after.

    python bench/cli_call.py [--runs 15] [--command import|check]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = "from shopkpi.cli.main import main; main()"
RUNNER_CPU = re.compile(r"runner's processor time ([0-9.]+) s")


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def call(home: Path, args: list[str], handoff: str, cwd: Path) -> tuple[float, float | None, str]:
    """(the processor time of the process we started, the runner's if handed off, standard error)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SHOPKPI_HOME", "DJANGO_SETTINGS_MODULE")}
    env["SHOPKPI_HANDOFF"] = handoff
    before = cpu_of_children()
    done = subprocess.run(
        [sys.executable, "-c", ENTRY, "--home", str(home), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    spent = cpu_of_children() - before
    if done.returncode not in (0, 3):
        raise SystemExit(f"shopkpi {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    found = RUNNER_CPU.search(done.stderr)
    return spent, (float(found.group(1)) if found else None), done.stderr


def arguments(command: str, folder: Path, n: int) -> list[str]:
    if command == "check":  # a shipped template
        import shopkpi

        return [
            "check",
            str(Path(shopkpi.__file__).parent / "scorecard" / "templates" / "s000-warehouse.yaml"),
        ]
    path = folder / f"shop-{n}.csv"
    path.write_text(
        f"shop,date,pv,uv,buyers,orders,gmv\nS1,2026-06-01,10,5,1,1,{n}.90\nS1,2026-06-02,12,6,2,2,19.80\n",
        encoding="utf-8",
    )
    return ["import", "shop_daily", path.name, "--accept-warnings"]


def summary(name: str, values: list[float]) -> str:
    return f"{name:<24} median {statistics.median(values):.3f} s   min {min(values):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--command", choices=["import", "check"], default="import")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shopkpi-bench-cli-") as temporary:
        folder = Path(temporary)
        home = folder / "home"
        call(home, arguments(options.command, folder, 0), "0", folder)  # the home made, its database migrated
        env = {k: v for k, v in os.environ.items() if k not in ("SHOPKPI_HOME", "DJANGO_SETTINGS_MODULE")}
        ready = subprocess.Popen(
            [sys.executable, "-c", ENTRY, "--home", str(home), "ready"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while call(home, arguments(options.command, folder, 1), "debug", folder)[1] is None:
                if ready.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the ready process did not start")
                time.sleep(0.5)
            load_before = os.getloadavg()
            plain, client, runner = [], [], []
            for n in range(options.runs):  # taking turns
                spent, _runner, _err = call(home, arguments(options.command, folder, 2 * n + 2), "0", folder)
                plain.append(spent)
                spent, runner_cpu, err = call(
                    home, arguments(options.command, folder, 2 * n + 3), "debug", folder
                )
                if runner_cpu is None:
                    raise SystemExit(f"a call was not handed off:\n{err}")
                client.append(spent)
                runner.append(runner_cpu)
            load_after = os.getloadavg()
        finally:
            ready.terminate()
            ready.wait(timeout=30)
    handed = [c + r for c, r in zip(client, runner, strict=True)]
    print(
        f"`shopkpi {options.command}` of {'a two-row file' if options.command == 'import' else 'a shipped template'}, "
        f"{options.runs} runs each, taking turns (processor time)"
    )
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}; {os.cpu_count()} cores")
    print(summary("fresh process", plain))
    print(summary("handed off: client", client))
    print(summary("handed off: runner", runner))
    print(summary("handed off: total", handed))
    print(f"{'ratio (medians)':<24} {statistics.median(handed) / statistics.median(plain):.2f}")


if __name__ == "__main__":
    main()
