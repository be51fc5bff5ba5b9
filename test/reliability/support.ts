/**
 * Shared by the reliability tests: the child-node runner (test/support/node.ts) and the dist/ paths.
 */
import { ROOT_DIR, DIST_INDEX, assertDistFresh } from '../support/dist.js';

export { ROOT_DIR, DIST_INDEX, assertDistFresh };
export { runNode, lastJsonLine, type NodeRun } from '../support/node.js';
