/**
 * The parts of the Engine API's swarm objects that cluster/ reads (API 1.41). dockerode types them
 * as `any`; these narrow types keep the pure code honest.
 */
export interface SwarmNode {
  ID: string;
  Version?: { Index: number };
  Spec: { Role?: 'manager' | 'worker'; Availability?: 'active' | 'pause' | 'drain'; Labels?: Record<string, string>; Name?: string };
  Description?: {
    Hostname?: string;
    Platform?: { Architecture?: string; OS?: string };
    Engine?: { EngineVersion?: string; Labels?: Record<string, string> };
    Resources?: { NanoCPUs?: number; MemoryBytes?: number };
  };
  Status?: { State?: string; Addr?: string; Message?: string };
  ManagerStatus?: { Leader?: boolean; Reachability?: string; Addr?: string };
}

export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState?: string;
  CreatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; Timestamp?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
  Spec?: { ContainerSpec?: { Image?: string } };
}

export interface SwarmService {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
  ServiceStatus?: { RunningTasks?: number; DesiredTasks?: number };
}

/** A service spec as POST /services/create takes it (the fields deploy writes). */
export interface ServiceSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Labels?: Record<string, string>;
      Command?: string[];
      Args?: string[];
      Hostname?: string;
      Env?: string[];
      Dir?: string;
      User?: string;
      Mounts?: Array<{ Type: string; Source?: string; Target: string; ReadOnly?: boolean; VolumeOptions?: { Labels?: Record<string, string> } }>;
      StopGracePeriod?: number;
      Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number };
      Secrets?: Array<{ File: { Name: string; UID: string; GID: string; Mode: number }; SecretID: string; SecretName: string }>;
      Configs?: Array<{ File: { Name: string; UID: string; GID: string; Mode: number }; ConfigID: string; ConfigName: string }>;
      Init?: boolean;
    };
    Resources?: { Limits?: { NanoCPUs?: number; MemoryBytes?: number }; Reservations?: { NanoCPUs?: number; MemoryBytes?: number } };
    RestartPolicy?: { Condition?: string; Delay?: number; MaxAttempts?: number; Window?: number };
    Placement?: {
      Constraints?: string[];
      Preferences?: Array<{ Spread: { SpreadDescriptor: string } }>;
      MaxReplicas?: number;
      Platforms?: Array<{ Architecture?: string; OS?: string }>;
    };
    Networks?: Array<{ Target: string; Aliases?: string[] }>;
    ForceUpdate?: number;
    Runtime?: string;
  };
  Mode: { Replicated?: { Replicas?: number }; Global?: Record<string, never> };
  UpdateConfig?: { Parallelism?: number; Delay?: number; FailureAction?: string; Order?: string };
  EndpointSpec?: { Mode?: 'vip' | 'dnsrr'; Ports?: Array<{ Protocol: string; TargetPort: number; PublishedPort?: number; PublishMode?: 'ingress' | 'host' }> };
}

/** Docker reports `uname -m`; compose and our inventory speak in GOARCH terms. */
export function normalizeArch(machine: string | undefined): string {
  switch (machine) {
    case 'x86_64':
      return 'amd64';
    case 'aarch64':
      return 'arm64';
    case 'armv7l':
      return 'arm/v7';
    case 'armv6l':
      return 'arm/v6';
    case 'i386':
    case 'i686':
      return '386';
    default:
      return machine ?? 'unknown';
  }
}

/** The inverse of normalizeArch: an inventory platform (amd64, arm/v7) as Swarm reports it (x86_64, armv7l), for placement constraints. */
export function swarmArch(platform: string): string {
  switch (platform) {
    case 'amd64':
      return 'x86_64';
    case 'arm64':
      return 'aarch64';
    case '386':
      return 'i686';
    default: {
      const arm = /^arm\/v([5-8])$/.exec(platform);
      return arm ? `armv${arm[1]}l` : platform;
    }
  }
}
