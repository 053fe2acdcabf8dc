import { Command } from 'commander';
import { inventoryJsonSchema } from '../inventory/schema.ts';
import { print } from './options.ts';

/** `cluster schema` */
export function schemaCommand(): Command {
  return new Command('schema').description('print the JSON Schema of inventory files (cluster/inventory.schema.json is this output)').action(() => {
    print(JSON.stringify(inventoryJsonSchema(), null, 2));
  });
}
