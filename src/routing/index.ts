/** Public API of the route solver. Pure: no database, queue or HTTP server imports. */
export type * from './model.js';
export { solveVrptw } from './solver/solve.js';
export { checkSolution } from './check-solution.js';
export type { CheckResult, SolutionToCheck, Violation, ViolationCode } from './check-solution.js';
export { parseSolomon, solomonToProblem, SOLOMON_PROFILE } from './solomon.js';
export type { SolomonCustomer, SolomonInstance } from './solomon.js';
