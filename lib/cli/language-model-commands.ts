/** The train-lm and sample commands (kept apart from main.ts's MLP commands). */
import { type Command, Option } from 'commander';
import { integer, number } from './option-parsers';
import { runSample } from './sample-command';
import { DEFAULT_TEXT, TRAIN_LM_DEFAULTS, type TrainLmConfig, runTrainLm } from './train-lm-command';


export function addLanguageModelCommands(cli: Command): void {
  const d = TRAIN_LM_DEFAULTS;
  cli
    .command('train-lm')
    .description('Train a character-level language model on a text (writes config.json, metrics.jsonl, samples/, model.safetensors)')
    .option('--text <file>', `a UTF-8 text file (default: the shipped ${DEFAULT_TEXT.split(/[\\/]/).pop()})`)
    .option('--hidden <n>', `hidden units per layer (default ${d.hidden})`, integer)
    .option('--layers <n>', `stacked recurrent layers (default ${d.layers})`, integer)
    .addOption(new Option('--cell <kind>', `recurrent cell (default ${d.cell})`).choices(['lstm', 'gru', 'rnn']))
    .option('--embedding <n>', `character embedding width (default ${d.embedding})`, integer)
    .option('--dropout <p>', 'dropout between stacked layers', number)
    .option('--seq <n>', `characters per truncated-BPTT window (default ${d.seq})`, integer)
    .option('--batch <n>', `parallel streams of the text (default ${d.batch})`, integer)
    .option('--epochs <n>', `passes over the text (default ${d.epochs})`, integer)
    .option('--lr <rate>', `Adam learning rate (default ${d.lr})`, number)
    .option('--clip <norm>', `global gradient-norm clip, 0 for none (default ${d.clip})`, number)
    .option('--sample-length <n>', `characters sampled after each epoch (default ${d.sampleLength})`, integer)
    .option('--temperature <t>', `temperature of those samples (default ${d.temperature})`, number)
    .option('--seed <n>', 'seed of the weights and the samples', integer)
    .option('--threads <n>', 'kernel threads (default: one per core)', integer)
    .addOption(new Option('--backend <name>', 'kernel backend').choices(['native', 'reference', 'checked']))
    .option('--out <dir>', 'run directory (default runs/lm-<text>-<time>)')
    .action(async (options: Partial<TrainLmConfig>) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<TrainLmConfig>;
        await runTrainLm(given, { signal: controller.signal });
      } finally {
        process.off('SIGINT', onSignal);
      }
    });
  cli
    .command('sample')
    .description('Sample text from a model trained by train-lm, one character at a time')
    .requiredOption('--model <path>', 'a run directory of train-lm or its model.safetensors')
    .option('--prime <text>', 'text to start from (default: the vocabulary\'s first capital letter)')
    .option('--length <n>', 'characters to sample', integer, 500)
    .option('--temperature <t>', 'below 1: more likely characters; above 1: more surprising ones', number, 0.8)
    .option('--seed <n>', 'seed of the draws (the same seed gives the same text)', integer, 0)
    .action((options: { model: string; prime?: string; length: number; temperature: number; seed: number }) => {
      process.stdout.write(`${runSample(options)}\n`);
    });
}
