/** Where the package lives: lib/ (sources) and dist/ (built) both sit one level below its root. */
import * as path from 'node:path';

export const PACKAGE_ROOT = path.resolve(__dirname, '..');
