/** What every API emulator exposes of its HTTP server: address, faults, request log, lifecycle. */
import type { ActiveFault, FaultInjector, FaultSpec } from './faults.ts';
import type { RequestLog } from './request-log.ts';
import type { EmulatorServer, ResponseListener } from './server.ts';

export abstract class HostedEmulator {
  abstract readonly server: EmulatorServer;

  get url(): string {
    return this.server.url;
  }

  get faults(): FaultInjector {
    return this.server.faults;
  }

  get requests(): RequestLog {
    return this.server.requests;
  }

  start(port = 0): Promise<{ url: string; port: number }> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  onResponse(listener: ResponseListener): () => void {
    return this.server.onResponse(listener);
  }

  injectFault(spec: FaultSpec): ActiveFault {
    return this.server.faults.inject(spec);
  }
}
