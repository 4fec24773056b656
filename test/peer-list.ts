// The optional peers some tests compare against, and how each is installed (no vitest import:
// the global setup reads this in vitest's main process).
/** Each peer, and how a missing one is installed. */
export const PEERS = {
  torch: { what: '/usr/bin/python3 with PyTorch', install: 'apt-get install python3-torch' },
  numpy: { what: '/usr/bin/python3 with numpy', install: 'apt-get install python3-numpy' },
  onnx: { what: '/usr/bin/python3 with onnx', install: 'apt-get install python3-onnx' },
  chromium: { what: 'headless Chromium', install: 'apt-get install chromium' },
  'fashion-mnist': { what: 'the Fashion-MNIST IDX files', install: 'apt-get install dataset-fashion-mnist' },
  mpi: { what: 'Open MPI (mpirun, mpicxx)', install: 'apt-get install openmpi-bin libopenmpi-dev' },
  onnxruntime: { what: 'onnxruntime-node', install: 'npm ci (a devDependency)' },
  tensorboard: {
    what: "TensorBoard's reader (a venv of /usr/bin/python3 with pip's tensorboard)",
    install: 'apt-get install python3-venv; the tests pip-install tensorboard into the venv from the configured index',
  },
} as const;

export type Peer = keyof typeof PEERS;

/** What the probe found: for each peer, null when present, else why it is absent. */
export type PeerReport = Record<Peer, string | null>;
