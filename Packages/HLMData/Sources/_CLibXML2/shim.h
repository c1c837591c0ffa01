// The part of libxml2 that HLMData calls: the streaming xmlTextReader API, whose handles are opaque.
#ifndef HLM_CLIBXML2_SHIM_H
#define HLM_CLIBXML2_SHIM_H

typedef struct _xmlTextReader *xmlTextReaderPtr;
typedef void *xmlTextReaderLocatorPtr;
typedef unsigned char xmlChar;
typedef void (*xmlTextReaderErrorFunc)(void *arg, const char *msg, int severity,
                                       xmlTextReaderLocatorPtr locator);

void xmlInitParser(void);
// Errors outside a reader's own handler (encoding conversion, ...) go here instead of standard error.
typedef void (*xmlStructuredErrorFunc)(void *userData, void *error);
void xmlSetStructuredErrorFunc(void *ctx, xmlStructuredErrorFunc handler);
xmlTextReaderPtr xmlReaderForMemory(const char *buffer, int size, const char *URL,
                                    const char *encoding, int options);
void xmlFreeTextReader(xmlTextReaderPtr reader);
void xmlTextReaderSetErrorHandler(xmlTextReaderPtr reader, xmlTextReaderErrorFunc f, void *arg);
int xmlTextReaderLocatorLineNumber(xmlTextReaderLocatorPtr locator);
int xmlTextReaderRead(xmlTextReaderPtr reader);
int xmlTextReaderNodeType(xmlTextReaderPtr reader);
int xmlTextReaderIsEmptyElement(xmlTextReaderPtr reader);
int xmlTextReaderDepth(xmlTextReaderPtr reader);
const xmlChar *xmlTextReaderConstLocalName(xmlTextReaderPtr reader);
const xmlChar *xmlTextReaderConstValue(xmlTextReaderPtr reader);
int xmlTextReaderMoveToAttribute(xmlTextReaderPtr reader, const xmlChar *name);
int xmlTextReaderMoveToElement(xmlTextReaderPtr reader);
int xmlTextReaderGetParserLineNumber(xmlTextReaderPtr reader);

// xmlParserOption values (libxml/parser.h).
enum {
    HLM_XML_PARSE_NOERROR = 1 << 5,
    HLM_XML_PARSE_NOWARNING = 1 << 6,
    HLM_XML_PARSE_NONET = 1 << 11,
};

// xmlReaderTypes values (libxml/xmlreader.h).
enum {
    HLM_XML_READER_TYPE_ELEMENT = 1,
    HLM_XML_READER_TYPE_TEXT = 3,
    HLM_XML_READER_TYPE_CDATA = 4,
    HLM_XML_READER_TYPE_ENTITY_REFERENCE = 5,
    HLM_XML_READER_TYPE_DOCUMENT_TYPE = 10,
    HLM_XML_READER_TYPE_END_ELEMENT = 15,
};

#endif
