// Barrel of the shm leaf layer (layouts, the wait helper, doorbells, seqcounts, the shared clock).
export * from './layout.js';
export * from './clock.js';
export * from './wait.js';
export * from './doorbell.js';
export * from './seqcount.js';
