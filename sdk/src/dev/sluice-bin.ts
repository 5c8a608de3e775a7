import path from 'node:path';

/** The `sluice` command's script, for starting `sluice worker` as a child: `spawn(process.execPath, [SLUICE_BIN, 'worker'])`. */
export const SLUICE_BIN = path.join(__dirname, '..', '..', 'bin', 'sluice.js');
