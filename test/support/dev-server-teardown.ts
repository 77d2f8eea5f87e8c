/** Global teardown of jest's `dev-server` project: stops the dev server its setup started. */
export default async function teardown(): Promise<void> {
  await globalThis.switchboardDevServer?.stop();
  globalThis.switchboardDevServer = undefined;
}
