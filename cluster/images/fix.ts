import { relative } from 'node:path';
import { ARCHES, ourImageName } from '../../shop/gocoffee/source.ts';
import type { ImageIndex } from '../../shop/gocoffee/images.ts';

/**
 * What to run when a node lacks an image, for doctor and deploy's checks: the Go coffee shop's
 * images are built here (`npm run shop -- images-real`) and loaded over SSH (`cluster images
 * load`); any other image is the registry's or the user's to provide.
 */
export interface FixContext {
  inventoryPath: string;
  imagePolicy: 'registry' | 'local';
  /** The images `images-real` has built (its index.json). */
  index: ImageIndex;
}

/** The inventory path as a user would type it: relative to the working folder when it is below it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export function loadCommand(inventoryPath: string): string {
  return `npm run cluster -- --cluster ${displayPath(inventoryPath)} images load`;
}

/** Whether `images-real` built `image` (by its exact or its stable reference) for `platform`. */
export function isBuilt(index: ImageIndex, image: string, platform: string | undefined): boolean {
  return index.images.some((record) => (record.reference === image || record.stableReference === image) && (!platform || record.arch === platform));
}

export function imageFix(image: string, platform: string | undefined, context: FixContext): string {
  const load = loadCommand(context.inventoryPath);
  if (ourImageName(image)) {
    if (isBuilt(context.index, image, platform)) return load;
    if (platform && !(ARCHES as readonly string[]).includes(platform)) return `images-real builds ${ARCHES.join(' and ')} only, not ${platform}`;
    return `npm run shop -- images-real --arch ${platform ?? '<arch>'}, then ${load}`;
  }
  return context.imagePolicy === 'local'
    ? `load it into every engine (docker save ${image} | ssh <node> docker load), or map it to an image you build in the inventory's images`
    : `make sure ${image} is published for linux/${platform ?? '<arch>'} and the node can reach its registry`;
}
