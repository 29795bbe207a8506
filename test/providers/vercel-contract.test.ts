import { providerContract } from '../contract/provider-contract.ts';
import { vercelFixture } from './vercel-fixture.ts';

providerContract('vercel (emulator, real SDK)', vercelFixture);
