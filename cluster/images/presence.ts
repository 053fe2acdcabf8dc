import { errorMessage } from '../../kernel/errors.ts';
import { imagePlatform } from '../doctor/diagnose.ts';
import type { Engine } from '../engine/engine.ts';

/** One image on one engine: its id and platform, 'missing', or 'unknown' when the engine could not say. */
export type ImagePresence = { id: string; platform: string } | 'missing' | 'unknown';

/** Asks one engine about each image (GET /images/{name}/json); doctor, deploy's checks and `images load` read nodes through this. */
export async function inspectImages(engine: Engine, images: readonly string[]): Promise<Map<string, ImagePresence>> {
  const found = new Map<string, ImagePresence>();
  for (const image of images) {
    try {
      const inspected = (await engine.docker.getImage(image).inspect()) as { Id: string; Architecture?: string; Variant?: string };
      found.set(image, { id: inspected.Id, platform: imagePlatform(inspected) });
    } catch (error) {
      found.set(image, /no such image|404/i.test(errorMessage(error)) ? 'missing' : 'unknown');
    }
  }
  return found;
}

/** `repo:tag` → [repo, tag], the form the Engine API's tag call takes (no tag: latest). */
export function splitReference(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  return colon > reference.lastIndexOf('/') ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, 'latest'];
}
