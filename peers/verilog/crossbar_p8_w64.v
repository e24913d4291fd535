// Hand-written idiomatic Verilog of the `crossbar` benchmark design
// (rtl::switch::crossbar, 8 ports x 64 bits, registered outputs):
// what a designer would write for the same function. `linkforge bench`
// runs it in Verilator beside the Verilog linkforge emits, with the same
// harness, stimulus and checksum. Same module name and ports as the
// emitted one.
`default_nettype none
module crossbar_p8_w64 (
    input  wire        clk,
    input  wire        rst,
    input  wire [63:0] in0,
    input  wire [63:0] in1,
    input  wire [63:0] in2,
    input  wire [63:0] in3,
    input  wire [63:0] in4,
    input  wire [63:0] in5,
    input  wire [63:0] in6,
    input  wire [63:0] in7,
    input  wire [2:0]  sel0,
    input  wire [2:0]  sel1,
    input  wire [2:0]  sel2,
    input  wire [2:0]  sel3,
    input  wire [2:0]  sel4,
    input  wire [2:0]  sel5,
    input  wire [2:0]  sel6,
    input  wire [2:0]  sel7,
    output reg  [63:0] out0,
    output reg  [63:0] out1,
    output reg  [63:0] out2,
    output reg  [63:0] out3,
    output reg  [63:0] out4,
    output reg  [63:0] out5,
    output reg  [63:0] out6,
    output reg  [63:0] out7
);
    wire [63:0] in_array [0:7];
    assign in_array[0] = in0;
    assign in_array[1] = in1;
    assign in_array[2] = in2;
    assign in_array[3] = in3;
    assign in_array[4] = in4;
    assign in_array[5] = in5;
    assign in_array[6] = in6;
    assign in_array[7] = in7;

    always @(posedge clk) begin
        if (rst) begin
            out0 <= 64'd0;
            out1 <= 64'd0;
            out2 <= 64'd0;
            out3 <= 64'd0;
            out4 <= 64'd0;
            out5 <= 64'd0;
            out6 <= 64'd0;
            out7 <= 64'd0;
        end else begin
            out0 <= in_array[sel0];
            out1 <= in_array[sel1];
            out2 <= in_array[sel2];
            out3 <= in_array[sel3];
            out4 <= in_array[sel4];
            out5 <= in_array[sel5];
            out6 <= in_array[sel6];
            out7 <= in_array[sel7];
        end
    end
endmodule
`default_nettype wire
