import HLMData
