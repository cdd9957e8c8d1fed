package io.wirelink.agent.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Reads and writes Jackson's JSON tree with the streaming parser and generator alone: an {@code ObjectMapper}
 * loads a few hundred classes that neither a CLI command reading a reply (about half of {@code wirelink show}'s
 * start-up) nor the daemon answering {@code /status} needs. {@link #write} prints what {@code toPrettyString()}
 * and {@code toString()} print.
 */
public final class JsonTree {
    /** Makes the nodes: a tree needs only these classes, not an {@code ObjectMapper}. */
    public static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final JsonFactory FACTORY = new JsonFactory();

    private JsonTree() {}

    public static JsonNode read(String json) throws IOException {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                throw new IOException("empty reply");
            }
            JsonNode n = value(p);
            if (p.nextToken() != null) {
                throw new IOException("trailing content after the JSON value");
            }
            return n;
        }
    }

    private static JsonNode value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                ObjectNode o = F.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    o.set(name, value(p));
                }
                return o;
            }
            case START_ARRAY -> {
                ArrayNode a = F.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    a.add(value(p));
                }
                return a;
            }
            case VALUE_STRING -> {
                return F.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> F.numberNode(p.getIntValue());
                    case LONG -> F.numberNode(p.getLongValue());
                    default -> F.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_NUMBER_FLOAT -> {
                return F.numberNode(p.getDoubleValue());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return F.booleanNode(t == JsonToken.VALUE_TRUE);
            }
            case VALUE_NULL -> {
                return F.nullNode();
            }
            default -> throw new IOException("unexpected " + t + " in the reply");
        }
    }

    /** The tree as JSON text, indented as Jackson's default pretty printer does, or on one line. */
    public static String write(JsonNode n, boolean pretty) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            if (pretty) {
                g.useDefaultPrettyPrinter();
            }
            write(g, n);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, JsonNode n) throws IOException {
        switch (n.getNodeType()) {
            case OBJECT -> {
                g.writeStartObject();
                for (Map.Entry<String, JsonNode> e : n.properties()) {
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) {
                    write(g, e);
                }
                g.writeEndArray();
            }
            case STRING -> g.writeString(n.textValue());
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL, MISSING -> g.writeNull();
            case NUMBER -> {
                switch (n.numberType()) {
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                    default -> g.writeNumber(n.doubleValue());
                }
            }
            default -> throw new IllegalArgumentException("cannot write a " + n.getNodeType() + " node");
        }
    }
}
