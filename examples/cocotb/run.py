"""Builds the linkforge-generated register block with Icarus and runs the
cocotb tests in test_regs.py on it.

    linkforge gen examples/cocotb/regs.lf -o out/cocotb
    python examples/cocotb/run.py out/cocotb

Exits 0 when every test passed, 1 otherwise; cocotb's JUnit results are in
OUT/sim_build/results.xml.
"""

import sys
from pathlib import Path

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import get_runner

TOP = "regs"


def main(out: Path) -> int:
    here = Path(__file__).resolve().parent
    build = out / "sim_build"
    runner = get_runner("icarus")
    runner.build(
        sources=[out / f"{TOP}.v"],
        hdl_toplevel=TOP,
        build_dir=build,
        timescale=("1ns", "1ps"),
        always=True,
    )
    results = runner.test(
        hdl_toplevel=TOP,
        test_module="test_regs",
        test_dir=here,
        build_dir=build,
        extra_env={"REGS_JSON": str(out / f"{TOP}.json")},
        results_xml=str(build / "results.xml"),
    )
    tests, failed = get_results(Path(results))
    print(f"cocotb: {tests - failed} passed, {failed} failed")
    return 0 if tests > 0 and failed == 0 else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: run.py OUT (the directory `linkforge gen examples/cocotb/regs.lf -o OUT` wrote)")
    sys.exit(main(Path(sys.argv[1]).resolve()))
