import {useBackend} from './use_backend';

useBackend('cpu-composite');
