import { memoryFixture } from './memory-fixture.ts';
import { providerContract } from './provider-contract.ts';

providerContract('in-memory provider', memoryFixture);
