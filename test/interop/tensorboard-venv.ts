// The Python environment TensorBoard's own reader runs in: a virtual environment of Debian's
// /usr/bin/python3 (with its packages: numpy) into which pip installs tensorboard from the
// configured local index. Made once, at a fixed path under the temporary directory, so later runs
// reuse it; built beside that path and renamed into place, so a run that dies half-way or two
// runs at once never leave a broken one there. No vitest import: the peer probe uses it too.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TENSORBOARD_VENV = path.join(os.tmpdir(), 'tensorgrad-tensorboard-venv');
export const VENV_PYTHON = path.join(TENSORBOARD_VENV, 'bin', 'python');

const CHECK = 'from tensorboard.backend.event_processing import event_accumulator; import tensorboard; print(tensorboard.__version__)';

function run(file: string, args: string[], timeout: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${String(stdout)}${String(stderr)}`.trim() || String(error?.message ?? '') });
    });
  });
}

/** The last line that says what went wrong. */
function reason(output: string): string {
  const lines = output.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.reverse().find((l) => /error|no module|not found|unable|could not/i.test(l)) ?? lines[0] ?? 'failed';
}

/**
 * Makes the environment if it is not there yet; resolves to undefined when it imports
 * tensorboard, else to why it could not be made.
 */
export async function ensureTensorboardVenv(): Promise<string | undefined> {
  // The venv's python is a symlink to /usr/bin/python3 that finds its site-packages through
  // pyvenv.cfg beside it, so the environment still works after the rename below.
  if (fs.existsSync(VENV_PYTHON) && (await run(VENV_PYTHON, ['-c', CHECK], 60_000)).ok) return undefined;
  const staging = `${TENSORBOARD_VENV}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    const venv = await run('/usr/bin/python3', ['-m', 'venv', '--system-site-packages', staging], 300_000);
    if (!venv.ok) return `python3 -m venv failed: ${reason(venv.output)}`;
    const python = path.join(staging, 'bin', 'python');
    const pip = await run(python, ['-m', 'pip', 'install', '--retries', '0', '--disable-pip-version-check', '--quiet', 'tensorboard'], 900_000);
    if (!pip.ok) return `pip install tensorboard failed: ${reason(pip.output)}`;
    const check = await run(python, ['-c', CHECK], 60_000);
    if (!check.ok) return `the new environment does not import tensorboard: ${reason(check.output)}`;
    fs.rmSync(TENSORBOARD_VENV, { recursive: true, force: true });
    try {
      fs.renameSync(staging, TENSORBOARD_VENV);
    } catch (error) {
      // Another run put its own there first: use that one.
      if (!fs.existsSync(VENV_PYTHON)) return `could not move the environment into ${TENSORBOARD_VENV}: ${(error as Error).message}`;
    }
    return (await run(VENV_PYTHON, ['-c', CHECK], 60_000)).ok ? undefined : `${TENSORBOARD_VENV} does not import tensorboard`;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
