import { Command } from 'commander';
import { benchConfigJsonSchema } from '../config.ts';

/** `bench schema` */
export function schemaCommand(): Command {
  return new Command('schema').description('print the JSON Schema of bench configs (bench/config.schema.json is this output)').action(() => {
    process.stdout.write(`${JSON.stringify(benchConfigJsonSchema(), null, 2)}\n`);
  });
}
