package dev.nabla.tensor;

/**
 * The primitive operations: the only ops the autograd graph records, each with one derivative rule in
 * {@link Derivatives}. Every other op on {@link Tensor} is composed of these and needs no rule of its own.
 */
public enum Prim {
    // element-wise, one input
    NEG, EXP, LOG, SQRT, ABS, RELU, SIGMOID, TANH,
    // element-wise with broadcasting
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, WHERE,
    // reductions
    SUM, MAX,
    // movement
    RESHAPE, PERMUTE, EXPAND, NARROW, PAD, CONCAT, INDEX_SELECT, INDEX_ADD, GATHER, SCATTER_ADD,
    // linear algebra and fused
    MATMUL, LINEAR, LOG_SOFTMAX, CAST,
    // fused recurrent cells (see RecurrentCells): the element-wise part of an LSTM or GRU time step
    LSTM_CELL, GRU_CELL,
    // convolution and pooling (see Conv): conv2d and its two bilinear adjoints, max pooling, conv2d then max pooling
    CONV2D, CONV2D_INPUT_GRAD, CONV2D_WEIGHT_GRAD, MAX_POOL2D, CONV2D_MAXPOOL
}
