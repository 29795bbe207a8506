import { providerContract } from '../contract/provider-contract.ts';
import { supabaseFixture } from './supabase-fixture.ts';

providerContract('supabase (emulator on real PostgreSQL)', supabaseFixture);
