/** Public API of the route solver. Pure: no database, queue or HTTP server imports. */
export type * from './model.js';
export { solveVrptw } from './solver/solve.js';
export { planDeliveries, buildProblem } from './plan.js';
export type { DeliveryRequest, PlanOptions } from './plan.js';
export { checkSolution } from './check-solution.js';
export type { CheckResult, SolutionToCheck, Violation, ViolationCode } from './check-solution.js';
export type { MatrixProvider, MatrixRequest } from './matrix/provider.js';
export { createGreatCircleProvider, computeHaversineMetres, DEFAULT_PROFILE_SPEEDS } from './matrix/great-circle.js';
export type { ProfileSpeed } from './matrix/great-circle.js';
export { createOsrmProvider, OsrmError } from './matrix/osrm.js';
export type { OsrmProviderOptions } from './matrix/osrm.js';
export { parseSolomon, buildSolomonProblem, SOLOMON_PROFILE } from './solomon.js';
export type { SolomonCustomer, SolomonInstance } from './solomon.js';
