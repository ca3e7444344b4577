// Barrel of the user-interrupt layer: layout (UPID/UITT), receiver and sender operations, uintr_wait,
// and the standalone UintrTable API. The ctx syscalls are thin wrappers over the core functions.
export * from './layout.js';
export * from './fd.js';
export * from './receiver.js';
export * from './sender.js';
export * from './wait.js';
export * from './table.js';
