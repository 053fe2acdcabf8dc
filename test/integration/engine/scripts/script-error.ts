// An exception in the init context: k6 exits with code 107 and names the place.
export const options = { iterations: 1 };

const config = JSON.parse(__ENV.CONFIG ?? '{broken');

export default function (): void {
  void config;
}
