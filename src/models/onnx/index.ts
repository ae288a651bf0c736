/**
 * ONNX import (issue 20), first part: parsing with `onnx-proto` and the operator check.
 * @example
 * ```ts
 * const { graph } = parseOnnx(bytes); checkOnnxGraph(graph);
 * ```
 */
export { parseOnnx, tensorValues, type OnnxGraph, type OnnxNode, type OnnxWeights, type OnnxAttr, type OnnxValueInfo, type OnnxConstant } from './parse.js';
export { checkOnnxGraph, SUPPORTED_OPS, OPSET_RANGE } from './check.js';
export { fromOnnx, loadOnnx, OnnxModel } from './model.js';
export { OnnxNodeLayer, type OnnxNodeLayerArgs } from './node_layer.js';
