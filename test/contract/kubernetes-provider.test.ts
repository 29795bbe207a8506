import { requireKube } from '../harness/services.ts';
import { kubernetesFixture } from './kubernetes-fixture.ts';
import { providerContract } from './provider-contract.ts';

providerContract('kubernetes on a real apiserver', () => kubernetesFixture(requireKube()));
