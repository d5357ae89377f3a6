import {useBackend} from './use_backend';

useBackend('tensorflow');
