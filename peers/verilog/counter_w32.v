// Hand-written idiomatic Verilog of the `counter` benchmark design
// (rtl::common::counter, 32 bits, wrapping):
// what a designer would write for the same function. `linkforge bench`
// runs it in Verilator beside the Verilog linkforge emits, with the same
// harness, stimulus and checksum. Same module name and ports as the
// emitted one.
`default_nettype none
module counter_w32 (
    input  wire        clk,
    input  wire        rst,
    input  wire        en,
    input  wire        clear,
    output reg  [31:0] count,
    output wire        at_max
);
    assign at_max = &count;

    always @(posedge clk) begin
        if (rst || clear)
            count <= 32'd0;
        else if (en)
            count <= count + 32'd1;
    end
endmodule
`default_nettype wire
