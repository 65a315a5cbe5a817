// ONNX models of the graph shapes (graphs.mjs) for the onnxruntime-web peer, NCHW as an exporter
// (tf2onnx, keras2onnx) emits them: Conv / ConvTranspose with Keras's 'same' pads, BatchNormalization
// nodes with the moving statistics (ORT's 'all' level folds them into a preceding Conv itself),
// LeakyRelu / Relu / Tanh / PRelu, Concat on axis 1, Add, DepthToSpace in DCR mode (TF's
// depth_to_space order: channel (i·b + j)·C' + c goes to row offset i, column offset j, channel c;
// CRD, PyTorch's pixel_shuffle, is c·b² + i·b + j: with 'CRD' the suite's output check against
// upconv fails, relative error 1.4 on SRResNet's up1 block, DCR agrees to 1e-6),
// Dropout left out (identity at inference, as exporters drop it).
import { deconvAxis, samePads } from './geometry.mjs';
import { analyseGraph } from './graphs.mjs';
import { convTransposeWeights, convWeights, onnxDims } from './onnx_model.mjs';
import { modelProto, node, tensorProto } from './onnx_proto.mjs';

/** Keras alpha (h, w, c) with shared axes of size 1 → ONNX PRelu slope (c, h, w). */
function preluSlope(alpha, [h, w, c]) {
  const s = new Float32Array(alpha.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) s[(ch * h + y) * w + x] = alpha[(y * w + x) * c + ch];
    }
  }
  return s;
}

/**
 * Builds the ONNX model of a graph shape with `data.weights` (Map node name → Keras weights).
 * Inputs are named after their input nodes, the output is 'y'. `options.depthToSpaceMode`
 * ('DCR', the default) exists for the check of the mode. Returns { bytes, inputs: [{ name, dims }],
 * outputDims }.
 */
export function buildOnnxGraph(shape, weights, { depthToSpaceMode = 'DCR' } = {}) {
  const info = analyseGraph(shape);
  const nodes = [];
  const inits = [];
  const onnxName = new Map(); // node name → the ONNX value holding its output
  const init = (name, dims, data) => {
    inits.push(tensorProto(name, dims, data));
    return name;
  };
  const inputs = [];
  for (const n of shape.graph) {
    if (n.op === 'input') {
      inputs.push({ name: n.name, dims: onnxDims(shape.batch, n.shape) });
      onnxName.set(n.name, n.name);
      continue;
    }
    const x = onnxName.get(n.inputs[0]);
    const inShape = info.shapes.get(n.inputs[0]);
    const w = weights.get(n.name);
    const out = n.name;
    let produced = out;
    switch (n.op) {
      case 'conv': {
        const [h, wd, c] = inShape;
        const [kh, kw] = n.kernel;
        const [sh, sw] = n.strides;
        const py = n.padding === 'same' ? samePads(h, kh, sh) : [0, 0];
        const px = n.padding === 'same' ? samePads(wd, kw, sw) : [0, 0];
        const ins = [x, init(`${out}/W`, [n.filters, c, kh, kw], convWeights(w[0].data, w[0].shape))];
        if (n.useBias) ins.push(init(`${out}/B`, [n.filters], w[1].data));
        const convOut = n.activation ? `${out}/pre` : out;
        nodes.push(node('Conv', ins, [convOut], { kernel_shape: [kh, kw], strides: [sh, sw], pads: [py[0], px[0], py[1], px[1]] }));
        if (n.activation) nodes.push(node(activationOp(n.activation), [convOut], [out]));
        break;
      }
      case 'convT': {
        const [h, wd, c] = inShape;
        const [kh, kw] = n.kernel;
        const [sh, sw] = n.strides;
        const ay = deconvAxis(h, kh, sh, n.padding);
        const ax = deconvAxis(wd, kw, sw, n.padding);
        const ins = [x, init(`${out}/W`, [c, n.filters, kh, kw], convTransposeWeights(w[0].data, w[0].shape))];
        if (n.useBias) ins.push(init(`${out}/B`, [n.filters], w[1].data));
        const convOut = n.activation ? `${out}/pre` : out;
        // Keras's crop of the full output (n-1)·s + k as pads [top, left, bottom, right]
        nodes.push(node('ConvTranspose', ins, [convOut], { kernel_shape: [kh, kw], strides: [sh, sw], pads: [ay.crop[0], ax.crop[0], ay.crop[1], ax.crop[1]] }));
        if (n.activation) nodes.push(node(activationOp(n.activation), [convOut], [out]));
        break;
      }
      case 'bn': {
        const c = inShape[2];
        const names = ['scale', 'B', 'mean', 'var'].map((k, i) => init(`${out}/${k}`, [c], w[i].data));
        nodes.push(node('BatchNormalization', [x, ...names], [out], { epsilon: n.epsilon }));
        break;
      }
      case 'leaky':
        nodes.push(node('LeakyRelu', [x], [out], { alpha: n.alpha }));
        break;
      case 'relu':
      case 'tanh':
        nodes.push(node(activationOp(n.op), [x], [out]));
        break;
      case 'prelu': {
        const [h, wd, c] = w[0].shape;
        nodes.push(node('PRelu', [x, init(`${out}/slope`, [c, h, wd], preluSlope(w[0].data, w[0].shape))], [out]));
        break;
      }
      case 'dropout':
        produced = x; // identity at inference: no node
        break;
      case 'concat':
        nodes.push(node('Concat', n.inputs.map((i) => onnxName.get(i)), [out], { axis: 1 }));
        break;
      case 'add':
        nodes.push(node('Add', n.inputs.map((i) => onnxName.get(i)), [out]));
        break;
      case 'd2s':
        nodes.push(node('DepthToSpace', [x], [out], { blocksize: n.block, mode: depthToSpaceMode }));
        break;
      default:
        throw new Error(`onnx: graph op ${n.op} not supported`);
    }
    onnxName.set(n.name, produced);
  }
  // the last node writes the graph output 'y'
  const lastNode = nodes[nodes.length - 1];
  const lastName = onnxName.get(shape.graph[shape.graph.length - 1].name);
  if (lastNode.outputs[0] !== lastName) throw new Error('onnx: the graph must end in a node that computes something');
  lastNode.outputs[0] = 'y';
  const outputDims = onnxDims(shape.batch, info.output);
  return { bytes: modelProto({ nodes, initializers: inits, inputs, outputs: [{ name: 'y', dims: outputDims }] }), inputs, outputDims };
}

function activationOp(act) {
  const op = { sigmoid: 'Sigmoid', relu: 'Relu', tanh: 'Tanh' }[act];
  if (!op) throw new Error(`onnx: activation ${act} not supported`);
  return op;
}
