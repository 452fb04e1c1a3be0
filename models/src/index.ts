export { readFerCsv, countFerRows, FerCsvRowError, FER_SIZE, type FerRow, type ReadFerCsvOptions } from './fer-csv';
export { seededRandom } from './seeded-random';
export { sharedDir, fer2013Dir } from './paths';
export { evaluateCsv, type EvaluationResult, type EvaluateOptions, type Tta } from './eval/evaluate';
export { ConfusionMatrix, argmax, formatMetrics, type EvaluationMetrics, type ClassMetrics } from './eval/metrics';
