// The domain's public surface.
export * from './events.ts';
export * from './commands.ts';
export * from './errors.ts';
export * from './validation.ts';
export * from './upcasters.ts';
export * from './VirtualMachineAggregate.ts';
export * from './bytes.ts';
