//! Two small blocks written with linkforge-hdl: a skid buffer and a
//! Gray-code counter, both sized at run time.

use linkforge_hdl::prelude::*;

/// A skid buffer for a `width`-bit valid/ready stream: `in_*` to `out_*`,
/// with every output registered and `in_ready` not depending on
/// `out_ready` within a cycle, so it breaks both timing paths of a stream
/// without a bubble. Words leave in the order they came.
pub fn skid_buffer(width: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("skid").param("w", width);
    m.clock("clk");
    m.reset("rst");
    let input = m.sink("in_", Stream::new(width));
    let output = m.source("out_", Stream::new(width));

    // The output register, and the skid register that catches the word
    // accepted in the cycle the output stalls.
    let out_valid = m.reg("valid_q", 1).reset(0);
    let out_data = m.reg("data_q", width).reset(0);
    let skid_valid = m.reg("skid_valid", 1).reset(0);
    let skid_data = m.reg("skid_data", width).reset(0);

    let accepted = input.valid() & !skid_valid;
    let output_free = !out_valid | output.ready();
    m.when(output_free, |m| {
        m.when(skid_valid, |m| {
            m.next(out_valid, true);
            m.next(out_data, skid_data);
            m.next(skid_valid, false);
        })
        .otherwise(|m| {
            m.next(out_valid, input.valid());
            m.next(out_data, input.data());
        });
    })
    .otherwise(|m| {
        m.when(accepted, |m| {
            m.next(skid_valid, true);
            m.next(skid_data, input.data());
        });
    });
    m.assign(input.ready(), !skid_valid);
    m.assign(output.valid(), out_valid);
    m.assign(output.data(), out_data);
    m.finish()
}

/// A `width`-bit Gray-code counter: `count` steps through the reflected
/// binary Gray code, one bit changing per step, while `en` is high.
pub fn gray_counter(width: u32) -> Result<Module, HdlError> {
    let mut m = ModuleBuilder::new("gray").param("w", width);
    m.clock("clk");
    m.reset("rst");
    let en = m.input("en", 1);
    let count = m.output("count", width);
    let binary = m.reg("binary", width).reset(0);
    m.when(en, |m| m.next(binary, binary + 1));
    m.assign(count, binary ^ (binary >> 1));
    m.finish()
}
