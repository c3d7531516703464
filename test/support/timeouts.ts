/**
 * A time limit in a test, scaled for how loaded the machine is: `TEST_TIMEOUT_SCALE`, set by
 * jest.config.js from the load per core when the run starts, or given (`TEST_TIMEOUT_SCALE=4 npx
 * jest`). Every limit a test waits against goes through this, so a busy machine makes tests slower,
 * never red. Delays that are not limits (a pause before looking again) are not scaled.
 */
export const scaled = (ms: number): number => Math.round(ms * Math.max(1, Number(process.env.TEST_TIMEOUT_SCALE) || 1));
