"""cocotb tests of the linkforge register block `regs` (regs.lf) on Icarus.

The AXI4-Lite master of cocotbext-axi binds to the block's ports by their
prefix (`s_axil_`); the register offsets, reset values and field ports come
from the register map `linkforge gen` writes beside the Verilog (regs.json),
so the tests follow the config instead of repeating it.
"""

import json
import os
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

# SLVERR, the answer to an unmapped address.
SLVERR = 2


def register_map():
    """The register map `linkforge gen` wrote (REGS_JSON)."""
    return json.loads(Path(os.environ["REGS_JSON"]).read_text())


def offsets(regmap):
    """Register name -> byte offset."""
    return {r["name"]: r["offset"] for r in regmap["registers"]}


async def start(dut):
    """An AXI4-Lite master on s_axil_* (it idles the bus), a clock, idle
    inputs and two cycles of reset."""
    axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    for port in ("id_minor", "id_major", "temperature_celsius",
                 "irq_status_temp_high_set", "errors_count_inc"):
        getattr(dut, port).value = 0
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)
    return axil


@cocotb.test()
async def registers_read_their_reset_values(dut):
    """Every register reads its documented reset value after reset."""
    regmap = register_map()
    axil = await start(dut)
    for reg in regmap["registers"]:
        got = await axil.read_dword(reg["offset"])
        assert got == reg["reset"], f"{reg['name']}: {got:#x} != {reg['reset']:#x}"


@cocotb.test()
async def read_only_fields_show_their_inputs(dut):
    """`id` shows the id_major/id_minor inputs in its documented bits."""
    axil = await start(dut)
    dut.id_major.value = 2
    dut.id_minor.value = 7
    await RisingEdge(dut.clk)
    assert await axil.read_dword(offsets(register_map())["id"]) == 0x0207


@cocotb.test()
async def read_write_fields_drive_their_outputs(dut):
    """Writing `control` drives control_lanes and control_loopback."""
    axil = await start(dut)
    at = offsets(register_map())["control"]
    await axil.write_dword(at, 0x105)
    assert await axil.read_dword(at) == 0x105
    assert dut.control_lanes.value == 5
    assert dut.control_loopback.value == 1


@cocotb.test()
async def the_temperature_alarm_raises_irq_until_cleared(dut):
    """Reaching temp_high sets the W1C status bit and irq; writing 1 clears it."""
    axil = await start(dut)
    at = offsets(register_map())
    await axil.write_dword(at["temp_high"], 60)
    assert dut.irq.value == 0
    dut.temperature_celsius.value = 61
    await ClockCycles(dut.clk, 2)
    assert dut.irq.value == 1
    assert await axil.read_dword(at["irq_status"]) == 1
    dut.temperature_celsius.value = 20
    await axil.write_dword(at["irq_status"], 1)
    await RisingEdge(dut.clk)
    assert dut.irq.value == 0
    assert await axil.read_dword(at["irq_status"]) == 0


@cocotb.test()
async def the_error_counter_clears_on_read(dut):
    """Three pulses of errors_count_inc read as 3, then 0."""
    axil = await start(dut)
    at = offsets(register_map())["errors"]
    for _ in range(3):
        dut.errors_count_inc.value = 1
        await RisingEdge(dut.clk)
    dut.errors_count_inc.value = 0
    await RisingEdge(dut.clk)
    assert await axil.read_dword(at) == 3
    assert await axil.read_dword(at) == 0


@cocotb.test()
async def an_unmapped_address_answers_slverr(dut):
    """A read past the last register answers SLVERR with data 0."""
    regmap = register_map()
    axil = await start(dut)
    past = max(r["offset"] for r in regmap["registers"]) + 4
    resp = await axil.read(past, 4)
    assert int(resp.resp) == SLVERR
    assert resp.data == bytes(4)
