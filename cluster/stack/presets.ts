import { ROOTFS_IMAGES, SERVICES, imageRepository } from '../../shop/gocoffee/source.ts';

/**
 * Named image maps an inventory can use (`images: go-coffee-local`) instead of writing the map out.
 * Keys are the images stacks/ files name, values the images a cluster runs in their place.
 */

/** What stacks/go-coffee.yml names for postgres and rabbitmq (the phones' official images). */
const UPSTREAM_ROOTFS: Record<(typeof ROOTFS_IMAGES)[number], string> = {
  postgres: 'postgres:14-alpine',
  rabbitmq: 'rabbitmq:3.11-management-alpine',
};

/** The Go coffee shop's images built here (`npm run shop -- images-real`) in place of the fork's hand-built ones. */
function goCoffeeLocal(): Record<string, string> {
  const map: Record<string, string> = {};
  for (const service of SERVICES) map[`juangonzalout/go-coffeeshop-${service}:latest`] = `${imageRepository(service)}:latest`;
  for (const name of ROOTFS_IMAGES) map[UPSTREAM_ROOTFS[name]] = `${imageRepository(name)}:latest`;
  return map;
}

export const IMAGE_PRESETS = {
  'go-coffee-local': goCoffeeLocal(),
} as const satisfies Record<string, Record<string, string>>;

export type ImagePreset = keyof typeof IMAGE_PRESETS;
export const IMAGE_PRESET_NAMES = Object.keys(IMAGE_PRESETS) as [ImagePreset, ...ImagePreset[]];
