import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fer2013Dir } from '../paths';
import { progressBar } from '../progress';
import { PAPER_AUGMENTATION } from '../train/augment';
import { exportLayersModelToOnnx } from '../train/export-onnx';
import { loadTrainingData } from '../train/load-training-data';
import { buildMiniXception } from '../train/mini-xception';
import { trainModel } from '../train/train-loop';
import { loadTrainingTfjs } from '../train/tfjs-runtime';

interface TrainCliOptions {
  csv: string;
  usage?: string;
  limit?: number;
  epochs: number;
  batch: number;
  valSplit: number;
  patience: number;
  lr: number;
  l2: number;
  seed: number;
  augment: boolean;
  maxSteps?: number;
  checkpoints: string;
  out: string;
}

const int = (v: string): number => Number.parseInt(v, 10);

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train the paper mini-Xception on FER2013-format faces (TF.js layers) and export it to ONNX')
    .option('--csv <file>', 'FER2013-format CSV(.gz)', join(fer2013Dir(), 'train.csv.gz'))
    .option('--usage <name>', 'only rows whose Usage column equals this (e.g. Training)')
    .option('--limit <n>', 'use only the first n valid rows', int)
    .option('--epochs <n>', 'maximum epochs', int, 100)
    .option('--batch <n>', 'batch size', int, 32)
    .option('--val-split <f>', 'fraction held out for validation', Number, 0.2)
    .option('--patience <n>', 'early stopping: epochs without a lower validation loss', int, 10)
    .option('--lr <f>', 'Adam learning rate', Number, 0.001)
    .option('--l2 <f>', 'L2 kernel regulariser', Number, 0.01)
    .option('--seed <n>', 'seed of initialisation, split, shuffling and augmentation', int, 1)
    .option('--no-augment', 'no rotation/shift/shear/zoom/flip augmentation')
    .option('--max-steps <n>', 'stop after n batches in total (smoke runs)', int)
    .option('--checkpoints <dir>', 'best model so far, TF.js layers format', 'checkpoints/mini-xception')
    .requiredOption('--out <file.onnx>', 'exported fp32 ONNX of the best epoch')
    .action(async (o: TrainCliOptions) => {
      if (!existsSync(o.csv)) throw new Error(`CSV not found: ${o.csv}`);
      for (const [name, v] of [
        ['--epochs', o.epochs],
        ['--batch', o.batch],
        ['--patience', o.patience],
      ] as const) {
        if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
      }
      if (!(o.valSplit >= 0 && o.valSplit < 1)) throw new Error(`--val-split must be in [0, 1), got ${o.valSplit}`);
      if (!(o.lr > 0) || !(o.l2 >= 0)) throw new Error('--lr must be positive and --l2 non-negative');
      const { tf, backend } = await loadTrainingTfjs();
      const skipped: string[] = [];
      const data = await loadTrainingData(o.csv, {
        ...(o.usage ? { usage: o.usage } : {}),
        ...(o.limit ? { limit: o.limit } : {}),
        onInvalidRow: (e) => skipped.push(`row ${e.row}: ${e.reason}`),
      });
      for (const s of skipped) process.stderr.write(`skipped ${s}\n`);
      process.stderr.write(`training on ${data.count} faces with TF.js ${backend}\n`);
      const model = buildMiniXception(tf, { l2: o.l2, seed: o.seed });
      let bar: ReturnType<typeof progressBar> | null = null;
      const result = await trainModel(tf, model, data, {
        epochs: o.epochs,
        batchSize: o.batch,
        validationSplit: o.valSplit,
        patience: o.patience,
        learningRate: o.lr,
        seed: o.seed,
        augment: o.augment ? PAPER_AUGMENTATION : null,
        checkpointDir: o.checkpoints,
        ...(o.maxSteps ? { maxSteps: o.maxSteps } : {}),
        onBatch: (epoch, b, batches) => {
          if (b === 1) bar = progressBar(`epoch ${epoch}/${o.epochs}`, batches);
          bar?.update(b);
        },
        onEpoch: (r) => {
          bar?.stop();
          bar = null;
          const f = (x: number): string => x.toFixed(4);
          process.stdout.write(
            `epoch ${r.epoch}: loss ${f(r.loss)} acc ${f(r.accuracy)} val_loss ${f(r.valLoss)} val_acc ${f(r.valAccuracy)}${r.improved ? ` (checkpoint ${o.checkpoints})` : ''}\n`,
          );
        },
      });
      mkdirSync(dirname(o.out), { recursive: true });
      writeFileSync(o.out, exportLayersModelToOnnx(model));
      process.stdout.write(
        `best epoch ${result.bestEpoch}${result.stoppedEarly ? ' (early stop)' : ''}; wrote ${o.out}\n`,
      );
      model.dispose();
    });
}
