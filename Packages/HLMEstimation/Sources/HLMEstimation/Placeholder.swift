import HLMFormula
