//! PHP-style parameters: `filter[>ID]=5&select[]=ID&cmd[a]=…` into nested JSON, with the
//! one codec of b24 (`b24_core::form`, whose docs say what each form becomes).

use serde_json::Value;

/// Parses a query string or form body with PHP-style nested keys. Values are strings;
/// a malformed key (an unclosed `[`, a pair without a name, too deep) is an error naming it.
pub fn parse_query(q: &str) -> Result<Value, b24_core::form::FormError> {
    b24_core::form::decode(q.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_keys() {
        let v = parse_query(
            "filter%5B%3EID%5D=5&filter[STAGE_ID]=NEW&select[]=ID&select[]=TITLE&start=-1&order[ID]=ASC",
        )
        .expect("a query");
        assert_eq!(
            v,
            json!({"filter": {">ID": "5", "STAGE_ID": "NEW"}, "select": ["ID", "TITLE"], "start": "-1", "order": {"ID": "ASC"}})
        );
    }

    #[test]
    fn batch_commands_keep_their_order() {
        let v = parse_query("cmd[z]=user.current&cmd[a]=crm.deal.get%3Fid%3D1&halt=1")
            .expect("a query");
        let cmd = v["cmd"].as_object().expect("cmd map");
        assert_eq!(cmd.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(cmd["a"], "crm.deal.get?id=1");
    }

    #[test]
    fn deep_and_odd_keys() {
        let v = parse_query("fields[UF][0]=a&fields[UF][1]=b&x[]=1&x[k]=2&plain=%D0%AF")
            .expect("a query");
        assert_eq!(v["fields"]["UF"], json!(["a", "b"]));
        assert_eq!(v["x"], json!({"0": "1", "k": "2"}));
        assert_eq!(v["plain"], "Я");
    }
}
