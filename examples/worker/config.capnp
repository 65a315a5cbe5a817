# workerd config for running the example locally (see README.md):
#   node examples/worker/build.mjs && npx workerd serve examples/worker/config.capnp
# then open http://127.0.0.1:8787/ or GET http://127.0.0.1:8787/generate?seed=1
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "upconv-generator", worker = .generator) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "upconv-generator") ],
);

const generator :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "build/worker.js"),
    # the builds upconv's worker entry imports, as compiled WebAssembly modules
    (name = "upconv.relaxed.wasm", wasm = embed "build/upconv.relaxed.wasm"),
    (name = "upconv.simd.wasm", wasm = embed "build/upconv.simd.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);
